// Types of scripts/postgres-cluster.mjs for the TypeScript tests.
export interface PostgresCluster {
  url: string;
  port: number;
  dir: string;
  stop(): void;
}
export function postgresBinDir(): string | null;
export function startPostgres(options?: { durable?: boolean }): Promise<PostgresCluster>;
export function withDatabase(url: string, name: string): string;
