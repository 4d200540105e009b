// Connect's TimestampConverter$Value / $Key over JSON: converts one field (or the whole key/value
// when `field` is empty) between unix numbers, formatted strings and Connect's logical types.
// Without Connect's Java Date objects, Timestamp, Date and Time are written as ISO-8601 text
// (2024-05-01T12:00:00.000Z, 2024-05-01, 12:00:00.000), always UTC, which databases read as such.
// Input: a number is a unix time in `unix.precision`; a string is read with `format`, or as ISO-8601.
import * as v from 'valibot';
import { isJsonDecimal } from '../json/index.ts';
import { formatDate, parseDate, parseDatePattern, parseIsoDate, type DateToken } from './date-format.ts';
import { choice, optionalString } from './settings.ts';
import { requireObject, TransformError, withOperand, withoutSchemaWrapper, type Operand, type TransformPlugin } from './types.ts';

const TARGET_TYPES = ['string', 'unix', 'Date', 'Time', 'Timestamp'] as const;
const PRECISIONS = ['seconds', 'milliseconds', 'microseconds', 'nanoseconds'] as const;
type Precision = (typeof PRECISIONS)[number];

// Integer factors only: dividing by 1e-3 would leave float noise that truncation turns into an off-by-one.
const unixToMillis = (value: number, precision: Precision) =>
  precision === 'seconds' ? value * 1000 : precision === 'milliseconds' ? value : precision === 'microseconds' ? value / 1000 : value / 1e6;
const millisToUnix = (millis: number, precision: Precision) =>
  precision === 'seconds' ? millis / 1000 : precision === 'milliseconds' ? millis : precision === 'microseconds' ? millis * 1000 : millis * 1e6;
const MILLIS_PER_DAY = 86_400_000;

const formatSetting = v.pipe(
  optionalString,
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    if (dataset.value === undefined) return undefined;
    try {
      return { pattern: dataset.value, tokens: parseDatePattern(dataset.value) };
    } catch (error) {
      addIssue({ message: (error as Error).message });
      return NEVER;
    }
  }),
);

const TimestampConverterOptions = v.pipe(
  v.object({
    field: optionalString,
    'target.type': choice(TARGET_TYPES),
    format: formatSetting,
    'unix.precision': choice(PRECISIONS, 'milliseconds'),
  }),
  v.forward(
    v.check((options) => options['target.type'] !== 'string' || options.format !== undefined, 'is required when target.type is string'),
    ['format'],
  ),
);

type TimestampConverterConfig = v.InferOutput<typeof TimestampConverterOptions>;

function toEpochMillis(input: unknown, config: TimestampConverterConfig): number {
  if (typeof input === 'number') return Math.trunc(unixToMillis(input, config['unix.precision']));
  // Nanoseconds since 1970 pass 2^53 and arrive as bigints (see src/json): whole milliseconds fit a double.
  if (typeof input === 'bigint' && config['unix.precision'] === 'nanoseconds') return Number(input / 1_000_000n);
  if (typeof input === 'bigint' || isJsonDecimal(input)) return Math.trunc(unixToMillis(Number(String(input)), config['unix.precision']));
  if (typeof input === 'string') {
    const millis = (config.format && parseDate(config.format.tokens, input)) ?? parseIsoDate(input);
    if (millis === undefined || Number.isNaN(millis)) {
      throw new TransformError(`"${input}" does not match ${config.format ? `the format ${config.format.pattern}` : 'ISO-8601 (set format to read other text)'}`);
    }
    return millis;
  }
  throw new TransformError(`a timestamp must be a number or a string, found ${Array.isArray(input) ? 'an array' : typeof input}`);
}

function fromEpochMillis(millis: number, config: TimestampConverterConfig, tokens: readonly DateToken[] | undefined): string | number {
  switch (config['target.type']) {
    case 'string':
      return formatDate(tokens!, millis);
    case 'unix':
      return Math.trunc(millisToUnix(millis, config['unix.precision']));
    case 'Timestamp':
      return new Date(millis).toISOString();
    case 'Date':
      return new Date(millis).toISOString().slice(0, 10);
    case 'Time':
      return new Date(((millis % MILLIS_PER_DAY) + MILLIS_PER_DAY) % MILLIS_PER_DAY).toISOString().slice(11, 23);
    default:
      throw new TransformError(`unknown target.type ${String(config['target.type'])}`);
  }
}

function timestampConverter(operand: Operand, suffix: string): TransformPlugin<TimestampConverterConfig> {
  return {
    name: `TimestampConverter${suffix}`,
    classNames: [`org.apache.kafka.connect.transforms.TimestampConverter${suffix}`],
    options: TimestampConverterOptions,
    create: (config) => {
      const convert = (input: unknown) => fromEpochMillis(toEpochMillis(input, config), config, config.format?.tokens);
      return {
        apply(record) {
          const current = record[operand];
          if (current === null) return record;
          if (config.field === undefined) return withOperand(record, operand, convert(withoutSchemaWrapper(current)));
          const fields = requireObject(current, operand, 'TimestampConverter');
          const input = fields[config.field];
          // A missing or null field stays as it is (Connect converts null to null).
          if (input === undefined || input === null) return record;
          try {
            return withOperand(record, operand, { ...fields, [config.field]: convert(input) });
          } catch (error) {
            throw new TransformError(`field "${config.field}": ${(error as Error).message}`, { cause: error });
          }
        },
      };
    },
  };
}

export const TimestampConverterValue = timestampConverter('value', '$Value');
export const TimestampConverterKey = timestampConverter('key', '$Key');
