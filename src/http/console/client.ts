import { consoleCharts } from './charts.ts';

/**
 * The console's script, run in the browser. The pages hold no data: it loads their parts
 * (`data-fragment`, HTML rendered by the worker) with the API token as a bearer header, so the
 * token never rides in a URL or a cookie, and sessionStorage forgets it with the tab.
 *
 * One self-contained function, served as its own source text (`CONSOLE_SCRIPT`): typechecked with
 * the rest, no bundler, no CDN. It may use nothing from outside its body.
 */
function consoleMain(): void {
  const TOKEN_KEY = 'inlet.apiToken';

  const $ = <T extends Element>(selector: string, root: ParentNode = document) => root.querySelector<T>(selector);
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function showLogin(message?: string): void {
    const login = $<HTMLElement>('#login');
    const main = $<HTMLElement>('#content');
    if (!login || !main) return;
    login.hidden = false;
    main.hidden = true;
    const error = $<HTMLElement>('#login-error');
    if (error) error.textContent = message ?? '';
    $<HTMLInputElement>('#token')?.focus();
  }

  /** fetch with the bearer token; a 401 forgets the token and asks for it again. */
  async function api(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const current = token();
    if (current) headers.set('authorization', `Bearer ${current}`);
    const response = await fetch(url, { ...init, headers });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(current ? 'The worker refused that token.' : '');
      throw new Error('unauthorized');
    }
    return response;
  }

  async function load(element: HTMLElement): Promise<void> {
    const base = element.dataset.fragment!;
    const query = element.dataset.query;
    element.setAttribute('aria-busy', 'true');
    try {
      const response = await api(query ? `${base}?${query}` : base);
      const body = await response.text();
      if (!response.ok) throw new Error(describe(body));
      element.innerHTML = body;
      bind(element);
    } catch (error) {
      if ((error as Error).message !== 'unauthorized') element.textContent = `Could not load: ${(error as Error).message}`;
    } finally {
      element.setAttribute('aria-busy', 'false');
    }
  }

  /** Loads the fragments under `root`, and refreshes those that ask to (unless the reader is using them). */
  function bind(root: ParentNode): void {
    for (const element of root.querySelectorAll<HTMLElement>('[data-fragment]')) {
      if (element.dataset.bound) continue;
      element.dataset.bound = 'yes';
      void load(element);
      const every = Number(element.dataset.refresh ?? 0);
      if (every > 0) {
        const timer = setInterval(() => {
          // Gone, or settled (a watched record found and applied): nothing more to ask.
          if (!element.isConnected || element.querySelector('[data-settled]')) return clearInterval(timer);
          const busy = leaving || element.contains(document.activeElement) || element.querySelector('details[open]');
          if (!busy) void load(element);
        }, every);
      }
    }
  }

  /** True while an action that leaves the page (a delete) is under way: its parts stop refreshing. */
  let leaving = false;

  function reloadAll(): void {
    for (const element of document.querySelectorAll<HTMLElement>('[data-fragment][data-reload]')) void load(element);
  }

  function say(text: string): void {
    const status = $<HTMLElement>('#action-result');
    if (status) status.textContent = text;
  }

  /** A replay's answer in words; any other answer (an error's message) as the worker gave it. */
  function describe(body: string): string {
    let answer: { replayed?: unknown; blocked?: { partition: number; offset: number; error: string } | null; more?: unknown; message?: unknown };
    try {
      answer = JSON.parse(body) as typeof answer;
    } catch {
      return body;
    }
    if (typeof answer.replayed === 'number') {
      const count = `replayed ${answer.replayed} dead letter${answer.replayed === 1 ? '' : 's'}`;
      const blocked = answer.blocked ? `; blocked at partition ${answer.blocked.partition} offset ${answer.blocked.offset}, which still fails: ${answer.blocked.error}` : '';
      return `${count}${blocked}${answer.more ? '; more remain' : ''}`;
    }
    return typeof answer.message === 'string' ? answer.message : body;
  }

  /** A button that calls the REST API (`data-method`, `data-url`) and says what came back. */
  async function act(button: HTMLButtonElement): Promise<void> {
    const { method = 'POST', url = '', confirm: question, label } = button.dataset;
    if (question && !window.confirm(question)) return;
    button.disabled = true;
    leaving = button.dataset.after !== undefined;
    say(`${label ?? button.textContent}: working…`);
    try {
      const response = await api(url, { method });
      const body = await response.text();
      // A replay stopped by a letter that still fails answers 200, but did not do what was asked.
      const verdict = !response.ok ? 'refused' : /"blocked":\{/.test(body) ? 'blocked' : 'done';
      say(`${label ?? button.textContent}: ${response.status} ${verdict}${body ? `: ${describe(body)}` : ''}`);
      // Gone (a delete): leave the page rather than reload parts of what no longer exists.
      if (response.ok && button.dataset.after) return location.assign(button.dataset.after);
      reloadAll();
    } catch (error) {
      if ((error as Error).message !== 'unauthorized') say(`${label ?? button.textContent}: failed: ${(error as Error).message}`);
    } finally {
      button.disabled = false;
    }
    leaving = false;
  }

  /** A form posted as JSON to `data-post`; the HTML answer replaces `data-target`. */
  async function post(form: HTMLFormElement, submitter: HTMLElement | null): Promise<void> {
    const fields: Record<string, string> = {};
    new FormData(form).forEach((value, key) => {
      if (typeof value === 'string') fields[key] = value;
    });
    const intent = submitter instanceof HTMLButtonElement && submitter.value ? `?intent=${encodeURIComponent(submitter.value)}` : '';
    const target = $<HTMLElement>(form.dataset.target ?? '') ?? form;
    target.setAttribute('aria-busy', 'true');
    try {
      const response = await api(`${form.dataset.post}${intent}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
      target.innerHTML = await response.text();
      bind(target);
      target.querySelector<HTMLElement>('[aria-invalid="true"], [data-focus]')?.focus();
    } catch (error) {
      if ((error as Error).message !== 'unauthorized') target.textContent = `Failed: ${(error as Error).message}`;
    } finally {
      target.setAttribute('aria-busy', 'false');
    }
  }

  document.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-url]');
    if (button) void act(button);
    if ((event.target as Element).closest('#logout')) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('Signed out.');
    }
  });

  document.addEventListener('submit', (event) => {
    const form = event.target as HTMLFormElement;
    event.preventDefault();
    if (form.id === 'login') return void signIn(form);
    if (form.dataset.post) return void post(form, event.submitter);
    if (form.dataset.search) {
      // A search reloads its fragment with the form's fields as the query.
      const target = $<HTMLElement>(form.dataset.search);
      if (!target) return;
      const query = new URLSearchParams();
      new FormData(form).forEach((value, key) => typeof value === 'string' && value !== '' && query.set(key, value));
      target.dataset.query = query.toString();
      void load(target);
    }
  });

  async function signIn(form: HTMLFormElement): Promise<void> {
    const input = $<HTMLInputElement>('#token', form)!;
    sessionStorage.setItem(TOKEN_KEY, input.value);
    input.value = '';
    try {
      const response = await api('/ui/f/whoami');
      if (!response.ok) return showLogin(`The worker answered ${response.status}.`);
      start();
    } catch {
      // api() has shown the login form again.
    }
  }

  let started = false;
  function start(): void {
    $<HTMLElement>('#login')!.hidden = true;
    $<HTMLElement>('#content')!.hidden = false;
    if (started) {
      // Signed in again: every part loads with the new token.
      for (const element of document.querySelectorAll<HTMLElement>('[data-fragment]')) void load(element);
      return;
    }
    started = true;
    bind(document);
  }

  // Without a token, try once anyway: a worker with no INLET_API_TOKEN asks for none.
  start();
}

/** The script the worker serves at /ui/assets/console.js: the pages' parts, then the charts. */
export const CONSOLE_SCRIPT = `(${consoleMain.toString()})();\n(${consoleCharts.toString()})();\n`;
