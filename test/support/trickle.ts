import { connect } from 'node:net';

/** A sender trickling a push's body: one byte every 200 ms, never idle, 200 s for the whole body. */
export interface Trickle {
  /** When the headers and the first byte of the body went out. */
  readonly started: number;
  /** When the server closed the connection (Date.now()). */
  readonly closed: Promise<number>;
  /** What the server has answered so far. */
  received(): string;
  /** 0 while the connection is open. */
  closedAt(): number;
  /** Stops dripping and drops the connection. */
  stop(): void;
}

/** Opens a connection to 127.0.0.1:`port` and starts trickling a POST to `path` with a 1000-byte body. */
export async function trickle(port: number, path: string): Promise<Trickle> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  let received = '';
  let closedAt = 0;
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve((closedAt = Date.now()))));
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => {});
  const started = Date.now();
  socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[`);
  const drip = setInterval(() => socket.write(' '), 200);
  return {
    started,
    closed,
    received: () => received,
    closedAt: () => closedAt,
    stop() {
      clearInterval(drip);
      socket.destroy();
    },
  };
}
