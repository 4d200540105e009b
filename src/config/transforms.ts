// The Connect-style structure of a connector's transformation chain: `transforms=a,b`,
// `transforms.a.type=…`, `transforms.a.predicate=p`, `transforms.a.negate=true`,
// `predicates=p`, `predicates.p.type=…`, and each alias's own options under its prefix.
// What each type's options mean is checked by the type itself (src/transforms).
import * as v from 'valibot';
import type { KeyIssue } from './cross-key-checks.ts';
import { anyListSetting, boolSetting } from './settings.ts';

export type { KeyIssue };

/** One transform of the chain as configured: its options with the `transforms.<alias>.` prefix taken off. */
export interface TransformStageConfig {
  alias: string;
  type: string;
  /** Alias of the predicate that decides whether this stage applies; none applies it always. */
  predicate: string | undefined;
  negate: boolean;
  options: Record<string, unknown>;
}

export interface PredicateConfig {
  alias: string;
  type: string;
  options: Record<string, unknown>;
}

export interface TransformsConfig {
  stages: TransformStageConfig[];
  predicates: PredicateConfig[];
}

/** Keys a stage or predicate takes for itself; everything else under its prefix is an option of its type. */
const STAGE_KEYS = new Set(['type', 'predicate', 'negate']);

function optionsUnder(config: Readonly<Record<string, unknown>>, prefix: string): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (!STAGE_KEYS.has(name)) options[name] = value;
  }
  return options;
}

function readAliases(config: Readonly<Record<string, unknown>>, key: 'transforms' | 'predicates', issues: KeyIssue[]): string[] {
  if (config[key] === undefined || config[key] === null) return [];
  const parsed = v.safeParse(anyListSetting, config[key]);
  if (!parsed.success) {
    issues.push({ key, message: 'must be a comma-separated list of aliases' });
    return [];
  }
  const seen = new Set<string>();
  for (const alias of parsed.output) {
    if (seen.has(alias)) issues.push({ key, message: `names "${alias}" more than once` });
    seen.add(alias);
  }
  return [...seen];
}

function readType(config: Readonly<Record<string, unknown>>, key: string, issues: KeyIssue[]): string | undefined {
  const type = config[key];
  if (type === undefined || type === null || (typeof type === 'string' && type.trim() === '')) {
    issues.push({ key, message: 'is required' });
    return undefined;
  }
  if (typeof type !== 'string') {
    issues.push({ key, message: 'must be a string' });
    return undefined;
  }
  return type.trim();
}

/**
 * Reads the chain's structure out of a connector config map. Problems (an alias without a type, a
 * predicate that is not declared, a duplicate alias) come back per key, as `transforms.x.type`;
 * a stage or predicate without a type is left out of the result.
 */
export function readTransformsConfig(config: Readonly<Record<string, unknown>>): { config: TransformsConfig; issues: KeyIssue[] } {
  const issues: KeyIssue[] = [];

  const predicates: PredicateConfig[] = [];
  const declared = readAliases(config, 'predicates', issues);
  for (const alias of declared) {
    const prefix = `predicates.${alias}.`;
    const type = readType(config, `${prefix}type`, issues);
    if (type !== undefined) predicates.push({ alias, type, options: optionsUnder(config, prefix) });
  }

  const stages: TransformStageConfig[] = [];
  for (const alias of readAliases(config, 'transforms', issues)) {
    const prefix = `transforms.${alias}.`;
    const type = readType(config, `${prefix}type`, issues);

    let predicate: string | undefined;
    const predicateValue = config[`${prefix}predicate`];
    if (typeof predicateValue === 'string' && predicateValue.trim() !== '') {
      predicate = predicateValue.trim();
      if (!declared.includes(predicate)) {
        issues.push({ key: `${prefix}predicate`, message: `names predicate "${predicate}", which "predicates" does not list` });
      }
    } else if (predicateValue !== undefined && predicateValue !== null && predicateValue !== '') {
      issues.push({ key: `${prefix}predicate`, message: 'must be a predicate alias' });
    }

    let negate = false;
    const negateValue = config[`${prefix}negate`];
    if (negateValue !== undefined && negateValue !== null) {
      const parsed = v.safeParse(boolSetting, negateValue);
      if (parsed.success) negate = parsed.output;
      else issues.push({ key: `${prefix}negate`, message: 'must be true or false' });
    }

    // A stage with a bad predicate or negate is still read, so its options get checked too.
    if (type !== undefined) stages.push({ alias, type, predicate, negate, options: optionsUnder(config, prefix) });
  }

  return { config: { stages, predicates }, issues };
}
