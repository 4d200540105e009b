import type { Log, LogFields } from '../../src/log/index.ts';

export interface LoggedLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  /** The child bindings and the line's own fields. */
  fields: Record<string, unknown>;
}

/** A Log that keeps its lines, for tests of code that logs (the worker's own logger is tested in runtime-logger.test.ts). */
export function memoryLog(lines: LoggedLine[] = [], bindings: LogFields = {}): Log & { lines: LoggedLine[]; messages(): string[] } {
  const at =
    (level: LoggedLine['level']) =>
    (first: string | LogFields, message?: string): void => {
      if (typeof first === 'string') lines.push({ level, message: first, fields: { ...bindings } });
      else lines.push({ level, message: message ?? '', fields: { ...bindings, ...first } });
    };
  return {
    lines,
    messages: () => lines.map((line) => line.message),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: (more) => memoryLog(lines, { ...bindings, ...more }),
  };
}
