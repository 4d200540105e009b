import { createServer, connect, type Server, type Socket } from 'node:net';
import { cleanups } from './wait.ts';

/**
 * A TCP proxy in front of PostgreSQL that can lose one reply the way a network does: armed, it
 * watches for a statement whose text matches `statement`, holds back everything the server
 * answers from then on, and when the server reports the transaction ended (ReadyForQuery with
 * status idle, so the commit is done) it cuts both sockets without forwarding any of it. The
 * server has committed; the client only sees its connection end.
 *
 * It reads the wire protocol just enough for that: every message but the client's first (the
 * startup packet, which has no type byte) is a type byte and an int32 length that counts itself.
 * Connections without TLS only (the tests' servers accept plain TCP).
 */
export interface ReplyDropper {
  /** postgres://…, the same as `target` but through the proxy. */
  url: string;
  /** Drops the reply to the next matching statement's transaction (once). */
  arm(statement: RegExp): void;
  /** Replies dropped so far. */
  drops(): number;
}

class MessageReader {
  private buffer = new Uint8Array(0);
  constructor(private untypedFirst: boolean) {}

  /** Complete messages in `chunk` (and what came before it), each as [type, whole message bytes]. */
  push(chunk: Uint8Array): [string, Uint8Array][] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    const out: [string, Uint8Array][] = [];
    let at = 0;
    for (;;) {
      const header = this.untypedFirst ? 4 : 5;
      if (joined.length - at < header) break;
      const view = new DataView(joined.buffer, joined.byteOffset + at);
      const length = this.untypedFirst ? view.getInt32(0) : view.getInt32(1) + 1;
      if (joined.length - at < length) break;
      out.push([this.untypedFirst ? '' : String.fromCharCode(joined[at]!), joined.subarray(at, at + length)]);
      this.untypedFirst = false;
      at += length;
    }
    this.buffer = joined.slice(at);
    return out;
  }
}

export async function startReplyDropper(target: string): Promise<ReplyDropper> {
  const upstream = new URL(target);
  let armed: RegExp | undefined;
  let dropped = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const backend = connect(Number(upstream.port || 5432), upstream.hostname);
    sockets.add(client).add(backend);
    const fromClient = new MessageReader(true);
    const fromServer = new MessageReader(false);
    // Set when this connection sent the armed statement: the server's answers are held back.
    let watching = false;
    let held: Uint8Array[] = [];
    const cut = () => {
      client.destroy();
      backend.destroy();
    };
    client.on('data', (chunk) => {
      for (const [type, message] of fromClient.push(chunk)) {
        // Query (simple protocol) or Parse (extended): the statement's text is in the message.
        if (armed && !watching && (type === 'Q' || type === 'P') && armed.test(new TextDecoder().decode(message))) {
          armed = undefined;
          watching = true;
        }
      }
      backend.write(chunk);
    });
    backend.on('data', (chunk) => {
      if (!watching) {
        fromServer.push(chunk);
        client.write(chunk);
        return;
      }
      held.push(chunk);
      for (const [type, message] of fromServer.push(chunk)) {
        // ReadyForQuery carries the transaction status: 'I' idle (committed or rolled back), 'T' in one.
        if (type !== 'Z') continue;
        if (message[5] === 'I'.charCodeAt(0)) {
          dropped++;
          cut();
          return;
        }
        // Still inside BEGIN … COMMIT: pass it on and wait for the COMMIT's answer.
        for (const part of held) client.write(part);
        held = [];
      }
    });
    client.on('close', () => backend.destroy());
    backend.on('close', () => client.destroy());
    client.on('error', () => {});
    backend.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    arm: (statement) => {
      armed = statement;
    },
    drops: () => dropped,
  };
}
