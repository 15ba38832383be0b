"""kafka-python 2.0.2 group consumer against Tidelog: subscribe to a topic in a group, read
`expect` records, commit synchronously, read the commits back, close (which leaves the group).

Reads {"bootstrap": "host:port", "topic": str, "group": str, "expect": int} as JSON on stdin
and prints one JSON line with what it saw. Every wait is bounded. Run with /usr/bin/python3.
"""
import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition
from kafka.coordinator.assignors.range import RangePartitionAssignor

args = json.load(sys.stdin)
topic = args["topic"]

consumer = KafkaConsumer(
    topic,
    bootstrap_servers=args["bootstrap"],
    group_id=args["group"],
    client_id="compat-kafka-python-group",
    auto_offset_reset="earliest",
    enable_auto_commit=False,
    session_timeout_ms=6000,
    heartbeat_interval_ms=500,
    request_timeout_ms=15000,
    fetch_max_wait_ms=100,
    partition_assignment_strategy=[RangePartitionAssignor],
)
received = []
deadline = time.monotonic() + 30
while len(received) < args["expect"] and time.monotonic() < deadline:
    for tp, records in consumer.poll(timeout_ms=200).items():
        for r in records:
            received.append([r.partition, r.offset, r.value.decode()])

assigned = sorted(tp.partition for tp in consumer.assignment())
# Commits every consumed position (OffsetCommit with the group's generation) and waits for it.
consumer.commit()
committed = {str(p): consumer.committed(TopicPartition(topic, p)) for p in assigned}
api_version = list(consumer.config["api_version"])
consumer.close()
print(json.dumps({"received": received, "assigned": assigned, "committed": committed, "api_version": api_version}))
