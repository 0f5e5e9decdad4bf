import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext, Identified, Limited, RequestBase, WithFacts } from '../context.js';
import type { RequestIdentity } from './identify.js';

/** An answer that refuses a request before GraphQL reads it. */
export interface HttpRefusal {
  status: number;
  code: string;
  message: string;
  extensions?: Record<string, unknown>;
}

/**
 * One stage of the request pipeline, made by a `useX(deps)` factory with one job (the shape of The
 * Guild's envelop plugins). A stage implements only the hooks it needs; the pipeline calls them in
 * the order the stages are listed, at the moment a request reaches each hook.
 */
export interface Stage {
  readonly name: string;
  /** Before GraphQL reads the request (size, tokens, depth, trusted documents): an answer refuses it, on the record. */
  onRequest?: (req: IncomingMessage, body: unknown, identity: RequestIdentity) => Promise<HttpRefusal | null>;
  /** Around Apollo Gateway's execution (removal before planning, the final check after it). */
  wrapGateway?: (inner: GatewayInterface) => GatewayInterface;
  /** Apollo Server's hooks for this stage (the response about to leave). */
  plugin?: ApolloServerPlugin<GatewayContext>;
  /** What a client may see of an error. */
  formatError?: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/**
 * A step that adds its part to the request's context, reading only the parts added before it; or
 * throws a coded error that refuses the request (recorded).
 */
export interface ContextStep<In, Adds> {
  readonly name: string;
  add: (context: In, identity: RequestIdentity) => Promise<Adds>;
}

/** The steps that build the request's context, in the order they run. */
export interface ContextSteps {
  identify: ContextStep<RequestBase, Identified>;
  limit: ContextStep<RequestBase & Identified, Limited>;
  facts: ContextStep<RequestBase & Identified, WithFacts>;
}
