/** `server-only` outside Next (tsconfig.scripts.json): scripts are server code by nature. */
export {};
