/** Addresses the account and batch pages link to; plain functions, usable from server and client components. */

/** A task opened in the Synchronization Logs (its View panel). */
export const taskHref = (id: string) => `/provisioning?task=${id}`;
