import { writeFileSync } from 'node:fs';
import { generateOpenApi, openApiPath } from '../src/api/openapi';

writeFileSync(openApiPath, await generateOpenApi());
process.stdout.write(`wrote ${openApiPath}\n`);
