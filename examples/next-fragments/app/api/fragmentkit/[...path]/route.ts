import { fragmentkitHandlers } from '../../../../server/fragmentkit';

// Every fragmentkit route (chat, health, conversations, preview runtime) behind one catch-all.
export const GET = (request: Request) => fragmentkitHandlers().GET(request);
export const POST = (request: Request) => fragmentkitHandlers().POST(request);
export const PATCH = (request: Request) => fragmentkitHandlers().PATCH(request);
export const DELETE = (request: Request) => fragmentkitHandlers().DELETE(request);
export const OPTIONS = (request: Request) => fragmentkitHandlers().OPTIONS(request);

// Streams need the Node runtime and must never be cached or prerendered.
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
