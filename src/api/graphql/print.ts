import { fileURLToPath } from 'node:url';
import { buildSchema, printSchema } from 'graphql';
import { typeDefs } from './schema';

/** The committed copy of the schema, for clients and code generators that read a file. */
export const schemaPath = fileURLToPath(new URL('../../../schema.graphql', import.meta.url));

export const printedSchema = (): string => `${printSchema(buildSchema(typeDefs))}\n`;
