"""kafka-python 2.0.2 against Tidelog: admin, keyed produce, group-less consume.

Reads {"bootstrap": "host:port", "topic": str, "doomed": str, "partitions": int,
"messages": [[key, value, timestamp_ms], ...]} as JSON on stdin and prints one JSON line with
what it saw. Every wait is bounded. Run with /usr/bin/python3 (Debian's python3-kafka).
"""
import json
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

args = json.load(sys.stdin)
bootstrap = args["bootstrap"]
topic = args["topic"]
out = {}

# ---- admin ----
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="compat-admin", request_timeout_ms=15000)
out["admin_api_version"] = list(admin.config["api_version"])
created = admin.create_topics([
    NewTopic(topic, args["partitions"], 1, topic_configs={"retention.ms": "7200000"}),
    NewTopic(args["doomed"], 1, 1),
])
out["create_errors"] = sorted([e[0], e[1]] for e in created.topic_errors)
out["topics_after_create"] = sorted(admin.list_topics())
described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {"retention.ms": None, "cleanup.policy": None})])
configs = {}
for response in described:
    for resource in response.resources:
        # (error_code, error_message, resource_type, resource_name, config_entries)
        for entry in resource[4]:
            # v1+: (config_name, config_value, read_only, config_source, is_sensitive, synonyms)
            configs[entry[0]] = {"value": entry[1], "source": entry[3]}
out["configs"] = configs
deleted = admin.delete_topics([args["doomed"]])
out["delete_errors"] = [[e[0], e[1]] for e in deleted.topic_error_codes]
out["topics_after_delete"] = sorted(admin.list_topics())
admin.close()

# ---- produce ----
producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="compat-producer", acks="all", linger_ms=5,
                         request_timeout_ms=15000)
out["producer_api_version"] = list(producer.config["api_version"])
# The record accumulator's format follows the inferred broker version: 2 means record batches v2.
out["producer_magic"] = producer._accumulator.config["message_version"]
futures = [producer.send(topic, key=k.encode(), value=v.encode(), timestamp_ms=ts) for k, v, ts in args["messages"]]
producer.flush(timeout=20)
out["sent"] = []
for f in futures:
    meta = f.get(timeout=10)
    out["sent"].append([meta.partition, meta.offset])
producer.close(timeout=10)

# ---- consume without a group ----
consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id="compat-consumer", group_id=None,
                         enable_auto_commit=False, request_timeout_ms=15000, fetch_max_wait_ms=200)
partitions = [TopicPartition(topic, p) for p in range(args["partitions"])]
consumer.assign(partitions)
consumer.seek_to_beginning(*partitions)
received = []
deadline = time.monotonic() + 20
while len(received) < len(args["messages"]) and time.monotonic() < deadline:
    for tp, records in consumer.poll(timeout_ms=500).items():
        for r in records:
            received.append([r.partition, r.offset, r.key.decode(), r.value.decode(), r.timestamp])
out["received"] = received
out["end_offsets"] = {str(tp.partition): o for tp, o in consumer.end_offsets(partitions).items()}
out["beginning_offsets"] = {str(tp.partition): o for tp, o in consumer.beginning_offsets(partitions).items()}

# ListOffsets v1 by timestamp: each record's own timestamp finds it.
by_time = {}
for partition, offset, key, value, ts in received:
    found = consumer.offsets_for_times({TopicPartition(topic, partition): ts})[TopicPartition(topic, partition)]
    by_time[f"{partition}:{ts}"] = None if found is None else found.offset
out["offsets_for_times"] = by_time
after_all = consumer.offsets_for_times({tp: 10 ** 13 for tp in partitions})
out["offsets_for_times_after_all"] = {str(tp.partition): (None if o is None else o.offset) for tp, o in after_all.items()}

# seek() to an offset in the middle of partition 0.
first = TopicPartition(topic, 0)
consumer.assign([first])
consumer.seek(first, 1)
again = []
deadline = time.monotonic() + 10
while len(again) < out["end_offsets"]["0"] - 1 and time.monotonic() < deadline:
    for tp, records in consumer.poll(timeout_ms=500).items():
        again.extend(r.offset for r in records)
out["from_offset_1"] = again
consumer.close()
print(json.dumps(out))
