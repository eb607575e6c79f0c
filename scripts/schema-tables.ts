/**
 * `npm run schema:tables [-- SCHEMA.json]`: prints the column and alias tables of an order schema
 * (ORDER_SCHEMA, else the built-in order-schema.json) as docs/csv-format.md shows the built-in
 * one's; a broken schema is reported with its places, exit status 2.
 */
import { aliasTable, columnsTable } from '../functions/order-processor/contract/schema/doc-tables.ts';
import { orderSchemaFor, SchemaFileError } from '../functions/order-processor/index.ts';

try {
  const { schema, file } = orderSchemaFor(process.argv[2], process.env);
  const { name, version, fingerprint } = schema.identity;
  process.stdout.write(`<!-- ${file}: "${name}" version ${version}, fingerprint ${fingerprint} -->\n\n${columnsTable(schema.spec)}\n\n${aliasTable(schema.spec)}\n`);
} catch (err) {
  if (!(err instanceof SchemaFileError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 2;
}
