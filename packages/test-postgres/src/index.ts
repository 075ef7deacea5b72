export { type PostgresFixture, type PostgresOptions, startPostgres } from './postgres-fixture.js';
