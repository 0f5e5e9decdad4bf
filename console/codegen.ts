import type { CodegenConfig } from '@graphql-codegen/cli';

// Types of every console operation, from the gateway's API schema and the registered operation files the
// console sends byte for byte (so they pass TRUSTED_DOCUMENTS=required).
const config: CodegenConfig = {
  schema: '../gateway/api-schema.graphql',
  documents: ['../gateway/operations/console-*.graphql'],
  generates: {
    'src/generated/operations.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: { avoidOptionals: false, enumsAsTypes: true, skipTypename: true, scalars: { Date: 'string' } },
    },
  },
};
export default config;
