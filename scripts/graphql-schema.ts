import { writeFileSync } from 'node:fs';
import { printedSchema, schemaPath } from '../src/api/graphql/print';

writeFileSync(schemaPath, printedSchema());
process.stdout.write(`wrote ${schemaPath}\n`);
