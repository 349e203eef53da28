/*
 * A small S3 stand-in on loopback that speaks the REST wire format the project snapshot store
 * uses: path-style PUT/GET object (with If-None-Match: *), ListObjectsV2 XML with pagination,
 * and XML errors. Every request must carry a SigV4 Authorization header of the right shape for
 * the configured access key and region; the rest is what a bucket does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeS3Request {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeS3Server {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  requests: FakeS3Request[];
  /** Object keys in the bucket, sorted. */
  keys(): string[];
  /** Answers the next `count` requests with this status (an S3 error document). */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

const authorizationShape =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/;

export async function startFakeS3Server(options: { pageSize?: number } = {}): Promise<FakeS3Server> {
  const bucket = 'fk-projects';
  const accessKeyId = 'AKIAFAKEFRAGMENTKIT';
  const region = 'eu-west-3';
  const pageSize = options.pageSize ?? 1000;
  const objects = new Map<string, { body: Buffer; lastModified: Date }>();
  const requests: FakeS3Request[] = [];
  let failures: { status: number; count: number } | undefined;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendError(response, 500, 'InternalError', String(error));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await readBody(request);
    const authorization = request.headers.authorization;
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization,
      headers: request.headers,
    });
    if (failures && failures.count > 0) {
      failures.count -= 1;
      return sendError(response, failures.status, failures.status === 503 ? 'SlowDown' : 'InternalError', 'injected');
    }
    const shape = authorization ? authorizationShape.exec(authorization) : null;
    const signed = shape?.[4]?.split(';') ?? [];
    if (
      !shape ||
      !signed.includes('host') ||
      !signed.includes('x-amz-date') ||
      !signed.includes('x-amz-content-sha256') ||
      typeof request.headers['x-amz-date'] !== 'string' ||
      typeof request.headers['x-amz-content-sha256'] !== 'string'
    ) {
      return sendError(response, 403, 'AccessDenied', 'Missing or malformed SigV4 Authorization header.');
    }
    if (shape[1] !== accessKeyId) return sendError(response, 403, 'InvalidAccessKeyId', 'Unknown access key.');
    if (shape[3] !== region) return sendError(response, 400, 'AuthorizationHeaderMalformed', 'Wrong region.');

    const [, bucketName, ...keyParts] = url.pathname.split('/');
    if (bucketName !== bucket) return sendError(response, 404, 'NoSuchBucket', 'No such bucket.');
    const key = keyParts.map(decodeURIComponent).join('/');

    if (request.method === 'GET' && key === '') {
      if (url.searchParams.get('list-type') !== '2')
        return sendError(response, 400, 'InvalidArgument', 'list-type=2 only');
      return listObjects(response, url.searchParams);
    }
    if (request.method === 'PUT' && key !== '') {
      if (request.headers['if-none-match'] === '*' && objects.has(key)) {
        return sendError(
          response,
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
        );
      }
      objects.set(key, { body, lastModified: new Date() });
      response.writeHead(200, { etag: '"fake"' });
      return void response.end();
    }
    if (request.method === 'GET' && key !== '') {
      const object = objects.get(key);
      if (!object) return sendError(response, 404, 'NoSuchKey', 'The specified key does not exist.');
      response.writeHead(200, {
        'content-type': 'application/json',
        'last-modified': object.lastModified.toUTCString(),
      });
      return void response.end(object.body);
    }
    return sendError(response, 405, 'MethodNotAllowed', 'Not supported by the fake.');
  }

  function listObjects(response: ServerResponse, query: URLSearchParams): void {
    const prefix = query.get('prefix') ?? '';
    const after = query.get('continuation-token') ?? '';
    const matching = [...objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
    const page = matching.slice(0, pageSize);
    const truncated = matching.length > page.length;
    const contents = page
      .map((key) => {
        const object = objects.get(key)!;
        return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>"fake"</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
      `<MaxKeys>${pageSize}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}` +
      (truncated ? `<NextContinuationToken>${escapeXml(page.at(-1)!)}</NextContinuationToken>` : '') +
      '</ListBucketResult>';
    response.writeHead(200, { 'content-type': 'application/xml' });
    response.end(xml);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId,
    secretAccessKey: 'fake-secret-key',
    region,
    requests,
    keys: () => [...objects.keys()].sort(),
    failNext(status, count = 1) {
      failures = { status, count };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`,
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
