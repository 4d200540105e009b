import { tableNamePattern, type DatabaseSinkConfig } from '../config/index.ts';
import { reservedTableOwner } from '../db/index.ts';

/** What the target database allows, as its SinkStore reports it. */
export interface TargetLimits {
  /** Longest table or column name kept whole, in UTF-8 bytes. */
  maxIdentifierBytes: number;
}

export const UNLIMITED: TargetLimits = { maxIdentifierBytes: Number.POSITIVE_INFINITY };

const utf8 = new TextEncoder();

/** A UTF-16 code unit is at most 3 UTF-8 bytes: short names need no encoding to be measured. */
function byteLength(name: string, limit: number): number {
  return name.length * 3 <= limit ? name.length : utf8.encode(name).byteLength;
}

/**
 * Where a sink connector's records may go. Never to a table Inlet or the database owns, whatever
 * table.name.format and the transforms made of the record; only to tables table.include.list
 * names when it has entries (with `${source.*}` in the format, records pick the table and the
 * list is required, so an empty one admits nothing); only under names the database keeps whole
 * (PostgreSQL cuts longer ones short, and two names could land on one column); with at most
 * table.max.columns fields. Anything else makes the record errant, with a reason naming the table
 * or the field.
 */
export class TableTargets {
  private readonly include: readonly RegExp[];
  private readonly listed: ReadonlySet<string>;
  private readonly restricted: boolean;
  private readonly maxColumns: number;

  constructor(
    config: DatabaseSinkConfig,
    private readonly limits: TargetLimits,
  ) {
    const list = config['table.include.list'];
    this.listed = new Set(list);
    this.include = list.map(tableNamePattern);
    this.restricted = list.length > 0 || config['table.name.format'].includes('${source.');
    this.maxColumns = config['table.max.columns'];
  }

  /** Why a record may not change `table` or give it the columns `fields`; undefined when it may. */
  refusal(table: string, fields: Iterable<string>): string | undefined {
    const owner = reservedTableOwner(table);
    if (owner) return `table "${table}" belongs to ${owner} and is never a sink's target`;
    if (this.restricted && !this.listed.has(table) && !this.include.some((pattern) => pattern.test(table))) {
      return `table "${table}" is not in table.include.list`;
    }
    const limit = this.limits.maxIdentifierBytes;
    if (byteLength(table, limit) > limit) {
      return `table name "${table}" is ${utf8.encode(table).byteLength} bytes, longer than the ${limit} the database keeps`;
    }
    let count = 0;
    for (const field of fields) {
      if (field === '') return `field "" cannot name a column of table "${table}"`;
      if (byteLength(field, limit) > limit) {
        return `field "${field}" is ${utf8.encode(field).byteLength} bytes, longer than the ${limit} the database keeps in a column name`;
      }
      if (++count > this.maxColumns) {
        return `field "${field}" would be column ${this.maxColumns + 1} of table "${table}", past table.max.columns (${this.maxColumns})`;
      }
    }
    return undefined;
  }
}
