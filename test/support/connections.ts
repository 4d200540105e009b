import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * This process's open TCP connections to `port` on loopback, as Linux lists them: the sockets
 * among /proc/self/fd matched against /proc/net/tcp and tcp6. A file it cannot read fails the test.
 */
export function connectionsTo(port: number): number {
  const sockets = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed since the listing
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) sockets.add(inode);
  }
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    const [header, ...rows] = readFileSync(table, 'utf8').trim().split('\n');
    if (!/rem(ote)?_address/.test(header ?? '')) throw new Error(`${table} does not read as a socket table:\n${header}`);
    for (const row of rows) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const cols = row.trim().split(/\s+/);
      const remotePort = cols[2]?.split(':')[1];
      const established = cols[3] === '01';
      if (remotePort === portHex && established && sockets.has(cols[9]!)) count++;
    }
  }
  return count;
}
