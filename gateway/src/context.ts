import type DataLoader from 'dataloader';
import type { ChildFacts } from './facts/child-facts.js';

/** What every part of the gateway sees about the request being served. */
export interface GatewayContext {
  requestId: string;
  /** Facts about children, loaded once per child per request from every agency. */
  facts: DataLoader<string, ChildFacts>;
}
