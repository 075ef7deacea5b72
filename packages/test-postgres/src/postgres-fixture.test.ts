import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresFixture, startPostgres } from './index.js';

let fixture: PostgresFixture;
let other: PostgresFixture;

beforeAll(async () => {
  // Side by side, as parallel test files start them.
  [fixture, other] = await Promise.all([startPostgres(), startPostgres({ database: 'other' })]);
  // Generous: initdb is CPU-bound, and test runs of other packages may share the machine.
}, 60_000);
afterAll(async () => {
  await Promise.all([fixture?.stop(), other?.stop()]);
});

function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  return client.connect().then(() => client);
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = await connect(url);
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgres', { timeout: 30_000 }, () => {
  it('answers select 1 at its url, in the database made for the test', async () => {
    expect(fixture.url).toBe(`postgres://postgres@127.0.0.1:${fixture.port}/vigil`);
    expect(await query(fixture.url, 'select 1 as one, current_database() as name')).toEqual([
      { one: 1, name: 'vigil' },
    ]);
    expect(fixture.log()).toContain('database system is ready to accept connections');
  });

  it('listens on 127.0.0.1 only, its socket in its own folder, with fsync off', async () => {
    const rows = await query(
      fixture.url,
      `select current_setting('listen_addresses') as listen, current_setting('unix_socket_directories') as socket,
              current_setting('fsync') as fsync, current_setting('data_directory') as data`,
    );
    expect(rows).toEqual([
      { listen: '127.0.0.1', socket: fixture.socketDir, fsync: 'off', data: fixture.dataDir },
    ]);
    expect(existsSync(`${fixture.socketDir}/.s.PGSQL.${fixture.port}`)).toBe(true);
  });

  it('gives two fixtures at once their own port, folder and database', async () => {
    expect(other.port).not.toBe(fixture.port);
    expect(other.dataDir).not.toBe(fixture.dataDir);
    expect(await query(other.url, 'select current_database() as name')).toEqual([{ name: 'other' }]);
  });

  it('keeps the data across stopServer()/startServer() on the same port; clients see errors meanwhile', async () => {
    await query(fixture.url, 'create table survivor (id int); insert into survivor values (42)');
    const held = await connect(fixture.url);
    // The server's FATAL first, then "Connection terminated unexpectedly": both are expected.
    const heldError = new Promise<Error>((resolve) => held.on('error', resolve));

    await Promise.all([fixture.stopServer(), fixture.stopServer()]);
    expect((await heldError).message).toMatch(/terminating connection due to administrator command/);
    await expect(query(fixture.url, 'select 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await fixture.stopServer();

    await fixture.startServer();
    await fixture.startServer();
    expect(await query(fixture.url, 'select id from survivor')).toEqual([{ id: 42 }]);
    await fixture.restart();
    expect(await query(fixture.url, 'select id from survivor')).toEqual([{ id: 42 }]);
  });

  it('says so when its port was taken while it was stopped, and starts once the port is free', async () => {
    await fixture.stopServer();
    const squatter = await listenOn(fixture.port);
    try {
      await expect(fixture.startServer()).rejects.toThrow(
        `port ${fixture.port} was taken while the server was stopped`,
      );
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    await fixture.startServer();
    expect(await query(fixture.url, 'select id from survivor')).toEqual([{ id: 42 }]);
  });

  it('stops the server, frees the port and removes the folder; stop() is safe twice', async () => {
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
    expect(existsSync(other.socketDir)).toBe(false);
    const freed = await listenOn(other.port);
    await new Promise((resolve) => freed.close(resolve));
    await expect(other.startServer()).rejects.toThrow(/was stopped/);
  });
});

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
