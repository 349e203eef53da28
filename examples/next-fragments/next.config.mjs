/**
 * The app imports the built packages (`dist`) through their workspace links, exactly as it
 * would import them from npm, so nothing needs transpiling. PGlite stays a Node import: bundled,
 * it cannot find its WebAssembly.
 *
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  reactStrictMode: true,
  serverExternalPackages: ['@electric-sql/pglite'],
};

export default nextConfig;
