import { sign } from '@octokit/webhooks-methods';
import { describe, expect, test } from 'bun:test';
import * as v from 'valibot';
import { GithubSourceConfigSchema } from '../../src/config/index.ts';
import { createGithubSource, parseGithubSignature } from '../../src/source/github.ts';
import { check, recordsOf } from '../support/source.ts';

// GitHub's documented example ("Validating webhook deliveries", Testing the webhook payload validation).
const DOCUMENTED = {
  secret: "It's a Secret to Everybody",
  payload: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};
const SECRET = 'github-hook-secret';

function source(config: Record<string, unknown> = {}) {
  return createGithubSource('gh', v.parse(GithubSourceConfigSchema, { 'connector.class': 'github', topic: 'gh', secrets: SECRET, ...config }));
}

function githubHeaders(signature: string, extra: Record<string, string> = {}) {
  return new Headers({ 'X-Hub-Signature-256': signature, 'X-GitHub-Delivery': 'd-1', 'X-GitHub-Event': 'push', ...extra });
}

/** Signs with @octokit/webhooks-methods, GitHub's own JavaScript implementation. */
async function signed(body: string, secret = SECRET) {
  return { body, headers: githubHeaders(await sign(secret, body)), receivedAt: Date.now() };
}

describe('github verify', () => {
  const body = JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'octo/hello' } });

  test("GitHub's documented example verifies", async () => {
    const documented = source({ secrets: DOCUMENTED.secret });
    const push = { body: DOCUMENTED.payload, headers: githubHeaders(DOCUMENTED.signature), receivedAt: Date.now() };
    expect(await check(documented.verify!(push))).toBeNull();
    expect(await check(documented.verify!({ ...push, body: 'Hello, World?' }))).toBe('no signature matched');
  });

  test('a delivery signed by @octokit/webhooks-methods verifies', async () => {
    expect(await check(source().verify!(await signed(body)))).toBeNull();
  });

  test('another secret or a tampered body does not', async () => {
    expect(await check(source().verify!(await signed(body, 'not-the-secret')))).toBe('no signature matched');
    const push = await signed(body);
    expect(await check(source().verify!({ ...push, body: body.replace('main', 'evil') }))).toBe('no signature matched');
  });

  test('rotated secrets: either configured secret verifies', async () => {
    const rotating = source({ secrets: ['new-secret', SECRET] });
    expect(await check(rotating.verify!(await signed(body)))).toBeNull();
    expect(await check(rotating.verify!(await signed(body, 'new-secret')))).toBeNull();
  });

  test('missing headers are named', async () => {
    for (const name of ['X-Hub-Signature-256', 'X-GitHub-Delivery', 'X-GitHub-Event']) {
      const push = await signed(body);
      push.headers.delete(name);
      expect(await check(source().verify!(push))).toBe(`missing ${name} header`);
    }
  });

  test('a malformed signature header is named (sha1, short, non-hex)', async () => {
    const digest = (await sign(SECRET, body)).slice('sha256='.length);
    for (const signature of [`sha1=${digest.slice(0, 40)}`, `sha256=${digest.slice(1)}`, `sha256=${'z'.repeat(64)}`, digest]) {
      const push = { body, headers: githubHeaders(signature), receivedAt: Date.now() };
      expect(await check(source().verify!(push))).toBe('malformed X-Hub-Signature-256 header');
    }
  });

  test('parseGithubSignature accepts exactly sha256=<64 hex>', () => {
    expect(parseGithubSignature(DOCUMENTED.signature)?.length).toBe(32);
    expect(parseGithubSignature(`${DOCUMENTED.signature}0`)).toBeNull();
  });
});

describe('github records', () => {
  test('one delivery becomes one record: offset the delivery id, key the repository, event as a header', () => {
    const payload = { ref: 'refs/heads/main', repository: { full_name: 'octo/hello' } };
    const [record] = recordsOf(source().toRecords([payload], { headers: githubHeaders('x', { 'X-GitHub-Delivery': 'd-77' }) }));
    expect(record).toEqual({
      topic: 'gh',
      key: 'octo/hello',
      value: JSON.stringify(payload),
      sourcePartition: 'gh',
      sourceOffset: 'd-77',
      headers: {
        'github.event': 'push',
        'github.delivery': 'd-77',
        'inlet.connector': 'gh',
        'inlet.source.partition': 'gh',
        'inlet.source.offset': 'd-77',
        'inlet.auth': 'github',
      },
    });
  });

  test('a delivery without a repository has no key', () => {
    const [record] = recordsOf(source().toRecords([{ zen: 'Keep it simple.' }], { headers: githubHeaders('x', { 'X-GitHub-Event': 'ping' }) }));
    expect(record!.key).toBeNull();
    expect(record!.headers['github.event']).toBe('ping');
  });

  test('the payload must be one JSON object', () => {
    expect(source().toRecords([[1]], { headers: githubHeaders('x') })).toEqual({ ok: false, issues: [{ index: 0, path: '', message: 'must be a JSON object' }] });
  });
});
