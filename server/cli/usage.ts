// A usage or scenario-file error: the CLI prints its message and exits with 2.
export class UsageError extends Error {}
