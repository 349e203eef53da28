/** Where app/api/fragmentkit/[...path]/route.ts mounts the fragmentkit server. */
export const endpoint = '/api/fragmentkit';
