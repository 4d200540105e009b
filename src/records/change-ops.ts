/** Debezium's change-event `op` codes: create, update, delete, read (snapshot), truncate. */
export const CHANGE_OPS = ['c', 'u', 'd', 'r', 't'] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];

const OPS: ReadonlySet<unknown> = new Set(CHANGE_OPS);

export function isChangeOp(value: unknown): value is ChangeOp {
  return OPS.has(value);
}
