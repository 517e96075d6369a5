/** The search feature's public face: its module and service. */
export * from './search.module';
export * from './search.service';
export { SEARCH_KINDS, type SearchKind } from './search.repository';
