"""confluent-kafka 1.7.0 (librdkafka 2.0.2) group consumer against Tidelog: subscribe() to a
topic in a group, read `expect` records, commit synchronously, read the commits back, close
(which leaves the group).

Reads {"bootstrap": "host:port", "topic": str, "group": str, "expect": int} as JSON on stdin
and prints one JSON line with what it saw. Every wait is bounded. Run with /usr/bin/python3.
"""
import json
import logging
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition

args = json.load(sys.stdin)
topic = args["topic"]


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

assignments = []
consumer = Consumer({
    "bootstrap.servers": args["bootstrap"],
    "group.id": args["group"],
    "client.id": "compat-confluent-group",
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
    "session.timeout.ms": 6000,
    "heartbeat.interval.ms": 500,
    "fetch.wait.max.ms": 100,
    "logger": logger,
})
consumer.subscribe([topic], on_assign=lambda c, parts: assignments.append(sorted(p.partition for p in parts)))

received = []
errors = []
deadline = time.monotonic() + 30
while len(received) < args["expect"] and time.monotonic() < deadline:
    msg = consumer.poll(0.2)
    if msg is None:
        continue
    if msg.error():
        if msg.error().code() != KafkaError._PARTITION_EOF:
            errors.append(str(msg.error()))
        continue
    received.append([msg.partition(), msg.offset(), msg.value().decode()])

# Commit the consumed positions and wait for the broker's answer.
commit_result = consumer.commit(asynchronous=False)
partitions = [TopicPartition(topic, p) for p in sorted({r[0] for r in received} | set(sum(assignments, [])))]
committed = consumer.committed(partitions, timeout=10)
consumer.close()
print(json.dumps({
    "received": received,
    "assignments": assignments,
    "commit_errors": [str(tp.error) for tp in commit_result if tp.error is not None],
    "committed": {str(tp.partition): tp.offset for tp in committed},
    "errors": errors,
    "logs": logs.lines,
}))
