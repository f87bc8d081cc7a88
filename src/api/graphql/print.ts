import { join } from 'node:path';
import { buildSchema, printSchema } from 'graphql';
import { projectRoot } from '../../config/root';
import { typeDefs } from './schema';

/** The committed copy of the schema, for clients and code generators that read a file. */
export const schemaPath = join(projectRoot, 'schema.graphql');

export const printedSchema = (): string => `${printSchema(buildSchema(typeDefs))}\n`;
