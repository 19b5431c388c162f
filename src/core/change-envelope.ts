/**
 * Change-data-capture messages (Flink's `canal-json` and `debezium-json` formats): each row
 * they carry is an order version, read by the layout's order reader; an insert or an update is a
 * version as a plain message is, a delete is the order's deletion (it retracts the order).
 */
import type { RawRecord } from './batch.ts';
import { ABSENT, arrayElements, ARRAY, culpritOf, ESCAPED_STRING, fieldReader, NULL, OBJECT, rawValue, STRING, stringValue } from './json-fields.ts';
import type { ChangeFormat } from './order-layout.ts';
import type { Order, OrderReader } from './order.ts';
import { isBlank } from './white-space.ts';

/** A row of a change message that is not an order: why, and the row's text (kept as the reject's). */
export interface RowReject {
  readonly reason: string;
  readonly raw: string;
}

/** The rows of one change message, each an order or a reject; none for a message that changes no row (DDL, a tombstone). */
export interface ChangeRows {
  readonly rows: readonly (Order | RowReject)[];
}

/** Reads one message of a stream: an order, a reject reason, or (change formats) the rows it carries. */
export type MessageReader = (text: string, record: RawRecord) => Order | string | ChangeRows;

const NO_ROWS: ChangeRows = { rows: [] };

/** The reader of messages of `format`, whose rows `readRow` reads. `json` is `readRow` itself. */
export function messageReader(format: ChangeFormat, readRow: OrderReader): MessageReader {
  if (format === 'json') return readRow;
  return format === 'canal-json' ? canalReader(readRow) : debeziumReader(readRow);
}

function deletion(order: Order | string): Order | string {
  return typeof order === 'string' ? order : { ...order, deleted: true };
}

/** Canal: `{"data":[rows],"type":"INSERT|UPDATE|DELETE","isDdl":false,...}`; each row of `data` is a record. */
function canalReader(readRow: OrderReader): MessageReader {
  const DATA = 0, TYPE = 1, IS_DDL = 2;
  const fields = fieldReader(['data', 'type', 'isDdl']);
  return (text, record) => {
    if (isBlank(text)) return 'empty message';
    const failure = fields.read(text);
    if (failure !== undefined) return failure;
    const kind = fields.kinds[TYPE];
    const type = kind === STRING || kind === ESCAPED_STRING ? stringValue(text, fields, TYPE) : undefined;
    // Schema changes carry no order: nothing to count, nothing wrong.
    if (fields.kinds[IS_DDL] !== ABSENT && rawValue(text, fields, IS_DDL) === 'true') return NO_ROWS;
    if (type !== 'INSERT' && type !== 'UPDATE' && type !== 'DELETE') {
      if (type !== undefined && /^(CREATE|ALTER|ERASE|QUERY|TRUNCATE|RENAME|CINDEX|DINDEX|GTID|XACOMMIT|XAROLLBACK|MHEARTBEAT)$/.test(type)) return NO_ROWS;
      return `canal type: expected INSERT, UPDATE or DELETE (got ${culpritOf(text, fields, TYPE)})`;
    }
    if (fields.kinds[DATA] !== ARRAY) return `canal data: expected a list of rows (got ${culpritOf(text, fields, DATA)})`;
    const elements = arrayElements(text, fields, DATA);
    const rows: (Order | RowReject)[] = [];
    elements.forEach(([start, end], index) => {
      const row = text.slice(start, end);
      const where = elements.length === 1 ? 'data' : `data[${index}] of ${elements.length}`;
      const order = readRow(row, record);
      const outcome = type === 'DELETE' ? deletion(order) : order;
      rows.push(typeof outcome === 'string' ? { reason: `canal ${where}: ${outcome}`, raw: row } : outcome);
    });
    return { rows };
  };
}

/** Debezium: `{"before":row,"after":row,"op":"c|r|u|d"}`, or the same inside `{"schema":...,"payload":...}`. */
function debeziumReader(readRow: OrderReader): MessageReader {
  const BEFORE = 0, AFTER = 1, OP = 2, PAYLOAD = 3;
  const fields = fieldReader(['before', 'after', 'op', 'payload']);
  const read = (text: string, record: RawRecord, wrapped: boolean): Order | string | ChangeRows => {
    const failure = fields.read(text);
    if (failure !== undefined) return failure;
    const kinds = fields.kinds;
    if (!wrapped && kinds[OP] === ABSENT && kinds[PAYLOAD] === OBJECT) {
      const start = fields.starts[PAYLOAD]!, end = fields.ends[PAYLOAD]!;
      return read(text.slice(start, end), record, true);
    }
    const op = kinds[OP] === STRING ? stringValue(text, fields, OP) : undefined;
    const where = wrapped ? 'debezium payload.' : 'debezium ';
    if (op === 't' || op === 'm') return NO_ROWS; // a truncate, a message: no row
    if (op !== 'c' && op !== 'r' && op !== 'u' && op !== 'd') return `${where}op: expected c, r, u or d (got ${culpritOf(text, fields, OP)})`;
    const field = op === 'd' ? BEFORE : AFTER;
    const name = op === 'd' ? 'before' : 'after';
    if (kinds[field] !== OBJECT) {
      const hint = op === 'd' && kinds[field] === NULL ? ': the table needs REPLICA IDENTITY FULL, or binlog_row_image FULL, for the deleted row' : '';
      return `${where}${name}: expected the row (got ${culpritOf(text, fields, field)})${hint}`;
    }
    const row = text.slice(fields.starts[field], fields.ends[field]);
    const order = readRow(row, record);
    const outcome = op === 'd' ? deletion(order) : order;
    return typeof outcome === 'string' ? { rows: [{ reason: `${where}${name}: ${outcome}`, raw: row }] } : outcome;
  };
  // A Kafka tombstone (no value) follows each delete: it changes nothing.
  return (text, record) => (text.length === 0 ? NO_ROWS : isBlank(text) ? 'empty message' : read(text, record, false));
}
