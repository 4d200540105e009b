// Kafka Connect's transformation chain: each stage's transform, applied in the configured order
// when its predicate (if any) says so; a dropped record stops the chain.
import * as v from 'valibot';
import { ConfigError, readTransformsConfig, type KeyIssue } from '../config/index.ts';
import { ErrantRecordError } from '../records/index.ts';
import { findPredicatePlugin, findTransformPlugin } from './registry.ts';
import type { Plugin, Predicate, SinkRecord, Transformation } from './types.ts';

export interface TransformStage {
  alias: string;
  /** The type as configured, for messages. */
  type: string;
  transformation: Transformation;
  predicate: Predicate | undefined;
  negate: boolean;
}

export class TransformChain {
  constructor(readonly stages: readonly TransformStage[]) {}

  /**
   * The record after every stage, or null when a stage dropped it. A stage that fails on the
   * record throws ErrantRecordError for the record as consumed (its original topic, partition and
   * offset, whatever earlier stages changed), naming the stage and the reason.
   */
  apply(record: SinkRecord): SinkRecord | null {
    let current = record;
    for (const stage of this.stages) {
      // As Connect's TransformationStage: apply when there is no predicate or test() differs from negate.
      if (stage.predicate && stage.predicate.test(current) === stage.negate) continue;
      let next: SinkRecord | null;
      try {
        next = stage.transformation.apply(current);
      } catch (error) {
        throw new ErrantRecordError(record, `transform "${stage.alias}" (${stage.type}) failed: ${(error as Error).message}`, { cause: error });
      }
      if (next === null) return null;
      current = next;
    }
    return current;
  }
}

/** Transform config problems; `issues` addresses each by its key (`transforms.route.regex`). */
export class TransformConfigError extends ConfigError {
  override name = 'TransformConfigError';
  constructor(readonly issues: readonly KeyIssue[]) {
    super(`invalid transforms: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
  }
}

function instantiate<T>(
  plugin: Plugin<unknown, T>,
  options: Record<string, unknown>,
  prefix: string,
  issues: KeyIssue[],
): T | undefined {
  const parsed = v.safeParse(plugin.options, options);
  if (!parsed.success) {
    for (const issue of parsed.issues) {
      const path = v.getDotPath(issue);
      // valibot reports a missing required option as an object-level key issue.
      const missing = issue.type === 'object' && issue.input === undefined;
      issues.push({ key: path ? `${prefix}${path}` : prefix.slice(0, -1), message: missing ? 'is required' : issue.message });
    }
    return undefined;
  }
  return plugin.create(parsed.output);
}

function build(config: Readonly<Record<string, unknown>>): { chain: TransformChain; issues: KeyIssue[] } {
  const { config: structure, issues } = readTransformsConfig(config);

  const predicates = new Map<string, Predicate>();
  for (const { alias, type, options } of structure.predicates) {
    const plugin = findPredicatePlugin(type);
    if (!plugin) {
      issues.push({ key: `predicates.${alias}.type`, message: `names unknown predicate "${type}" (known: TopicNameMatches, RecordIsTombstone, HasHeaderKey)` });
      continue;
    }
    const predicate = instantiate(plugin, options, `predicates.${alias}.`, issues);
    if (predicate) predicates.set(alias, predicate);
  }

  const stages: TransformStage[] = [];
  for (const { alias, type, options, predicate, negate } of structure.stages) {
    const plugin = findTransformPlugin(type);
    if (!plugin) {
      issues.push({
        key: `transforms.${alias}.type`,
        message: `names unknown transform "${type}" (known: ExtractNewRecordState, ReplaceField$Value/$Key, InsertField$Value/$Key, TimestampConverter$Value/$Key, RegexRouter, Filter)`,
      });
      continue;
    }
    const transformation = instantiate(plugin, options, `transforms.${alias}.`, issues);
    if (transformation) stages.push({ alias, type, transformation, predicate: predicate === undefined ? undefined : predicates.get(predicate), negate });
  }
  return { chain: new TransformChain(stages), issues };
}

/** The connector's transformation chain; throws TransformConfigError naming each bad key. */
export function buildTransformChain(config: Readonly<Record<string, unknown>>): TransformChain {
  const { chain, issues } = build(config);
  if (issues.length > 0) throw new TransformConfigError(issues);
  return chain;
}

/** Problems with the transforms and predicates of a connector config, per key; empty when it is fine. */
export function transformKeyIssues(config: Readonly<Record<string, unknown>>): KeyIssue[] {
  return build(config).issues;
}
