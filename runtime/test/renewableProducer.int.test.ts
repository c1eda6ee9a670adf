import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Admin, type ISocketFactory, type Producer } from 'kafkajs';
import { createLedgerProducer } from '../src/kafkaClient.ts';
import { createLogger } from '../src/logger.ts';
import { createRenewableProducer, isProducerStateLost } from '../src/renewableProducer.ts';
import { readStackConfig } from '../src/stackConfig.ts';

/**
 * The idempotent producer against the real broker, with its connections made by a socket factory
 * that can lose the answer to one produce request (the broker appended the batch; the client never
 * hears so) and then refuse connections until kafkajs' retries run out: what a broker SIGKILLed
 * mid-request does to a client. Each test has a topic of its own, deleted after.
 */
const kafkaProduceApiKey = 0;
/** Nothing listens on port 1: a connection there is refused at once, like a broker that is down. */
const refusedPort = 1;

interface LossyConnections {
  readonly socketFactory: ISocketFactory;
  /** The next produce request reaches the broker, its answer is lost, connections are refused. */
  loseNextProduceAnswer(): void;
  /** Connections work again. */
  heal(): void;
}

function lossyConnections(): LossyConnections {
  let loseNext = false;
  let refusing = false;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    if (refusing) return net.connect({ host: '127.0.0.1', port: refusedPort }, onConnect);
    const socket = net.connect({ host, port }, onConnect);
    let cutOnAnswer = false;
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = (chunk: unknown, ...rest: unknown[]) => {
      // A request starts with its int32 size, then its int16 API key.
      if (loseNext && Buffer.isBuffer(chunk) && chunk.readInt16BE(4) === kafkaProduceApiKey) {
        loseNext = false;
        cutOnAnswer = true;
      }
      return write(chunk, ...rest);
    };
    const emit = socket.emit.bind(socket) as (
      event: string | symbol,
      ...args: unknown[]
    ) => boolean;
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && cutOnAnswer) {
        refusing = true;
        socket.destroy(new Error('answer lost (test)'));
        return true;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
    return socket;
  };
  return {
    socketFactory,
    loseNextProduceAnswer: () => {
      loseNext = true;
    },
    heal: () => {
      refusing = false;
    },
  };
}

void describe('renewable producer against a broker that loses an answer', () => {
  const brokers = [...readStackConfig(process.env).kafkaBrokers];
  const suffix = randomBytes(4).toString('hex');
  const logger = createLogger({ level: 'error' });
  let admin: Admin;
  const topics: string[] = [];

  before(async () => {
    admin = new Kafka({
      clientId: 'renew-test-admin',
      brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
  });

  after(async () => {
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  async function givenTopic(name: string): Promise<string> {
    const topic = `ledger-test-renew-${name}-${suffix}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    topics.push(topic);
    return topic;
  }

  function clientWith(connections: LossyConnections): Kafka {
    return new Kafka({
      clientId: 'renew-test',
      brokers,
      socketFactory: connections.socketFactory,
      // Few, short retries, so "retries run out" takes a second, not the services' ~10 s.
      retry: { initialRetryTime: 50, maxRetryTime: 200, retries: 2 },
      logLevel: logLevel.NOTHING,
    });
  }

  const batch = (topic: string, values: readonly string[]) => ({
    acks: -1,
    topicMessages: [{ topic, messages: values.map((value) => ({ value, partition: 0 })) }],
  });

  async function messagesIn(topic: string): Promise<number> {
    const [offsets] = await admin.fetchTopicOffsets(topic);
    return Number(offsets?.high ?? 0);
  }

  /** The answer to batch `a` lost and retries run out: the broker holds `a`, the client does not know. */
  async function loseAnswerTo(
    send: (values: readonly string[]) => Promise<unknown>,
    connections: LossyConnections,
  ): Promise<void> {
    connections.loseNextProduceAnswer();
    await assert.rejects(send(['a']));
    connections.heal();
  }

  void it('given kafkajs alone, when a produce answer is lost and its retries run out, then a later batch is refused for its sequence number or acknowledged and not written', async () => {
    const topic = await givenTopic('plain');
    const connections = lossyConnections();
    const producer: Producer = createLedgerProducer(clientWith(connections));
    await producer.connect();
    try {
      await loseAnswerTo((values) => producer.sendBatch(batch(topic, values)), connections);

      // Two messages under the lost batch's first sequence number: out of order.
      const refusal: unknown = await producer.sendBatch(batch(topic, ['b', 'c'])).then(
        () => undefined,
        (error: unknown) => error,
      );
      // One message, as many as the lost batch: the broker takes it for a retry of that batch.
      const acknowledged = await producer.sendBatch(batch(topic, ['d']));

      assert.ok(isProducerStateLost(refusal), String(refusal));
      assert.equal(acknowledged[0]?.baseOffset, '0', "d is acknowledged at a's offset");
      assert.equal(await messagesIn(topic), 1, 'only a is in the log: d was acknowledged and lost');
    } finally {
      await producer.disconnect();
    }
  });

  void it('given the renewable producer, when a produce answer is lost and its attempts run out, then the next batches are written on a fresh producer', async () => {
    const topic = await givenTopic('renewed');
    const connections = lossyConnections();
    const producer = createRenewableProducer(
      () => createLedgerProducer(clientWith(connections)),
      logger,
      { attemptsMax: 1 },
    );
    await producer.connect();
    try {
      await loseAnswerTo((values) => producer.sendBatch(batch(topic, values)), connections);

      await producer.sendBatch(batch(topic, ['b', 'c']));
      await producer.sendBatch(batch(topic, ['d']));

      assert.equal(producer.renewals(), 1);
      assert.equal(await messagesIn(topic), 4, 'a once (its answer lost), then b, c and d');
    } finally {
      await producer.disconnect();
    }
  });

  void it('given the renewable producer, when a produce answer is lost and the broker comes back, then the send resolves once the batch is written by a fresh producer', async () => {
    const topic = await givenTopic('resent');
    const connections = lossyConnections();
    let created = 0;
    const producer = createRenewableProducer(() => {
      created += 1;
      // The broker is back by the time the first producer is replaced.
      if (created > 1) connections.heal();
      return createLedgerProducer(clientWith(connections));
    }, logger);
    await producer.connect();
    try {
      connections.loseNextProduceAnswer();

      await producer.sendBatch(batch(topic, ['a']));

      assert.equal(producer.renewals(), 1);
      // The broker appended the first a, its answer was lost: the fresh producer wrote it again.
      assert.equal(await messagesIn(topic), 2, 'a twice: a duplicate, never a loss');
    } finally {
      await producer.disconnect();
    }
  });
});
