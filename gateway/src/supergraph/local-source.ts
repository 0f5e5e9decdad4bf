import { LocalGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import {
  execute,
  GraphQLError,
  parse,
  validate,
  validateSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';

/** How many fetch documents each local subgraph keeps parsed and validated. */
const DOCUMENTS_KEPT = 1_000;

/**
 * A subgraph the gateway serves itself (the directory, the log's review, notifications…), as Apollo's
 * `LocalGraphQLDataSource` is, but each fetch document is parsed and validated once, not on every call:
 * the query planner sends the same few documents again and again (issue #27; the profile showed
 * `validate` at 5 % of the gateway's time). Executed exactly as `graphql()` would, errors included.
 */
export class LocalSubgraph extends LocalGraphQLDataSource {
  private readonly documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  constructor(schema: GraphQLSchema) {
    super(schema);
  }

  override async process({ request, context }: GraphQLDataSourceProcessOptions): Promise<ExecutionResult> {
    // Awaited, as graphql() awaits it: a resolver's promise settles inside the call.
    // As graphql() does: an invalid schema answers its errors (validated once; graphql-js keeps the result).
    const schemaErrors = validateSchema(this.schema);
    if (schemaErrors.length > 0) return { errors: schemaErrors };
    const source = request.query ?? '';
    const document = this.prepared(source);
    if (!('kind' in document)) return { errors: document };
    return await execute({
      schema: this.schema,
      document,
      variableValues: request.variables,
      operationName: request.operationName,
      contextValue: context,
    });
  }

  private prepared(source: string): DocumentNode | readonly GraphQLError[] {
    let prepared = this.documents.get(source);
    if (prepared) return prepared;
    try {
      const document = parse(source);
      const errors = validate(this.schema, document);
      prepared = errors.length > 0 ? errors : document;
    } catch (error) {
      prepared = [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)];
    }
    if (this.documents.size >= DOCUMENTS_KEPT) this.documents.delete(this.documents.keys().next().value as string);
    this.documents.set(source, prepared);
    return prepared;
  }
}
