/**
 * What a PostgreSQL column type means for a transform: the JavaScript value node-postgres hands
 * the mapper, grouped into a few kinds. `unknown` (enums, domains, extension types) is never
 * flagged: check only reports what it is sure of.
 */
export type ColumnKind = 'text' | 'timestamp' | 'boolean' | 'integer' | 'numeric' | 'json' | 'array' | 'other' | 'unknown';

const KIND_BY_UDT: Record<string, ColumnKind> = {
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  char: 'text',
  name: 'text',
  citext: 'text',
  uuid: 'text',
  timestamp: 'timestamp',
  timestamptz: 'timestamp',
  date: 'timestamp',
  bool: 'boolean',
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  numeric: 'numeric',
  float4: 'numeric',
  float8: 'numeric',
  money: 'numeric',
  json: 'json',
  jsonb: 'json',
  bytea: 'other',
  time: 'other',
  timetz: 'other',
  interval: 'other',
  inet: 'other',
  cidr: 'other',
};

/**
 * The kind of a column from `information_schema.columns`: `udt_name` names the base type
 * (`timestamptz`, `int4`, `_text` for arrays); `data_type` says `ARRAY` or `USER-DEFINED`.
 */
export function columnKindOf(dataType: string, udtName: string): ColumnKind {
  if (dataType === 'ARRAY' || udtName.startsWith('_')) return 'array';
  if (dataType === 'USER-DEFINED') return 'unknown';
  return KIND_BY_UDT[udtName] ?? 'unknown';
}
