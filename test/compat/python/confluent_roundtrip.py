"""confluent-kafka 1.7.0 (librdkafka 2.0.2) against Tidelog: AdminClient, a Producer with
delivery reports, and a Consumer that only assign()s (it needs a group.id setting, but
assign() joins no group).

Reads {"bootstrap": "host:port", "topic": str, "doomed": str, "partitions": int,
"messages": [[key, value], ...]} as JSON on stdin and prints one JSON line with what it saw.
Every wait is bounded. Run with /usr/bin/python3 (Debian's python3-confluent-kafka).
"""
import json
import logging
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

args = json.load(sys.stdin)
bootstrap = args["bootstrap"]
topic = args["topic"]
out = {}


class Collect(logging.Handler):
    """Keeps librdkafka's log lines (warnings and worse) for the test to report."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


logs = Collect()
logger = logging.getLogger("rdkafka")
logger.addHandler(logs)
logger.propagate = False

# ---- admin ----
admin = AdminClient({"bootstrap.servers": bootstrap, "logger": logger})
futures = admin.create_topics([
    NewTopic(topic, num_partitions=args["partitions"] - 1, replication_factor=1, config={"retention.ms": "7200000"}),
    NewTopic(args["doomed"], num_partitions=1, replication_factor=1),
], request_timeout=15)
for future in futures.values():
    future.result(timeout=20)
# Grow to the final count, so CreatePartitions is exercised too.
for future in admin.create_partitions([NewPartitions(topic, args["partitions"])], request_timeout=15).values():
    future.result(timeout=20)
metadata = admin.list_topics(timeout=15)
out["topics"] = {name: sorted(t.partitions) for name, t in metadata.topics.items()}
out["brokers"] = [[b.id, b.host, b.port] for b in metadata.brokers.values()]
out["controller_id"] = metadata.controller_id
configs = {}
for future in admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, topic)], request_timeout=15).values():
    for name, entry in future.result(timeout=20).items():
        configs[name] = {"value": entry.value, "source": entry.source, "is_default": entry.is_default}
out["configs"] = {k: configs.get(k) for k in ("retention.ms", "cleanup.policy")}
for future in admin.delete_topics([args["doomed"]], request_timeout=15).values():
    future.result(timeout=20)
deadline = time.monotonic() + 10
while args["doomed"] in admin.list_topics(timeout=15).topics and time.monotonic() < deadline:
    time.sleep(0.1)
out["topics_after_delete"] = sorted(admin.list_topics(timeout=15).topics)

# ---- produce with delivery reports ----
# murmur2_random is Kafka's default partitioner (librdkafka's own default is CRC32-based).
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "partitioner": "murmur2_random",
                     "logger": logger})
reports = []


def on_delivery(err, msg):
    reports.append({"error": None if err is None else str(err), "partition": msg.partition(), "offset": msg.offset(),
                    "key": msg.key().decode(), "value": msg.value().decode()})


for key, value in args["messages"]:
    producer.produce(topic, key=key.encode(), value=value.encode(), on_delivery=on_delivery)
    producer.poll(0)
out["unflushed"] = producer.flush(20)
out["reports"] = reports

# ---- consume with assign() only ----
consumer = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": "compat-assign-only",
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
    "enable.partition.eof": True,
    "fetch.wait.max.ms": 100,
    "logger": logger,
})
consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(args["partitions"])])
received = []
eof = set()
errors = []
deadline = time.monotonic() + 20
while (len(received) < len(args["messages"]) or len(eof) < args["partitions"]) and time.monotonic() < deadline:
    msg = consumer.poll(0.5)
    if msg is None:
        continue
    if msg.error():
        if msg.error().code() == KafkaError._PARTITION_EOF:
            eof.add(msg.partition())
        else:
            errors.append(str(msg.error()))
        continue
    received.append([msg.partition(), msg.offset(), msg.key().decode(), msg.value().decode()])
out["received"] = received
out["eof_partitions"] = sorted(eof)
out["consumer_errors"] = errors
out["watermarks"] = {str(p): list(consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10))
                     for p in range(args["partitions"])}
consumer.close()
out["logs"] = logs.lines
print(json.dumps(out))
