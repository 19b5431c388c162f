// Network checks for the local stack: a TCP port probe and a minimal Kafka Metadata request.
import net from 'node:net';

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true when a TCP connection to host:port succeeds within `timeoutMs`. */
export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A broker as listed in a Metadata response. */
export interface BrokerInfo {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/** What a Metadata response says about the cluster. */
export interface ClusterInfo {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: readonly BrokerInfo[];
}

const METADATA_API_KEY = 3;
// v4: the oldest version Kafka 4.x still serves (KIP-896) and the newest without "flexible" encoding.
const METADATA_API_VERSION = 4;

function encodeMetadataRequest(correlationId: number, clientId: string): Buffer {
  const client = Buffer.from(clientId, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length + 4 + 1);
  let at = body.writeInt16BE(METADATA_API_KEY, 0);
  at = body.writeInt16BE(METADATA_API_VERSION, at);
  at = body.writeInt32BE(correlationId, at);
  at = body.writeInt16BE(client.length, at);
  at += client.copy(body, at);
  at = body.writeInt32BE(-1, at); // topics: null = all topics
  body.writeInt8(0, at); // allow_auto_topic_creation: false
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function decodeMetadataResponse(frame: Buffer, correlationId: number): ClusterInfo {
  let at = 0;
  const int16 = (): number => {
    const v = frame.readInt16BE(at);
    at += 2;
    return v;
  };
  const int32 = (): number => {
    const v = frame.readInt32BE(at);
    at += 4;
    return v;
  };
  const nullableString = (): string | null => {
    const len = int16();
    if (len < 0) return null;
    const s = frame.toString('utf8', at, at + len);
    at += len;
    return s;
  };
  if (int32() !== correlationId) throw new Error('Kafka metadata probe: correlation id mismatch');
  int32(); // throttle_time_ms
  const brokers: BrokerInfo[] = [];
  for (let n = int32(); n > 0; n--) {
    const nodeId = int32();
    const host = nullableString() ?? '';
    const port = int32();
    nullableString(); // rack
    brokers.push({ nodeId, host, port });
  }
  const clusterId = nullableString();
  const controllerId = int32();
  return { clusterId, controllerId, brokers };
}

/** Sends one Kafka Metadata (v4) request to host:port and returns the brokers and cluster id it reports. */
export function kafkaMetadata(host: string, port: number, timeoutMs = 2000): Promise<ClusterInfo> {
  return new Promise((resolve, reject) => {
    const correlationId = 1 + Math.floor(Math.random() * 1_000_000);
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`Kafka metadata probe: no answer within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.once('close', () => fail(new Error('Kafka metadata probe: connection closed before a full answer')));
    socket.once('connect', () => socket.write(encodeMetadataRequest(correlationId, 'tradeflow-stack')));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const size = received.readInt32BE(0);
      if (received.length < 4 + size) return;
      socket.removeAllListeners('close');
      socket.destroy();
      try {
        resolve(decodeMetadataResponse(received.subarray(4, 4 + size), correlationId));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}
