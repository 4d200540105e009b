import * as v from 'valibot';

/** One problem with an input, addressed by a dotted path ("connectors.1.config.topic"). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Flattens valibot issues into `{path, message}` pairs that an HTTP body or a log line can carry. */
export function toFieldIssues(issues: readonly v.BaseIssue<unknown>[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: v.getDotPath(issue) ?? '',
    message: issue.message,
  }));
}

export function formatIssues(issues: FieldIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}
