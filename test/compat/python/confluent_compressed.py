"""confluent-kafka 1.7.0 (librdkafka 2.0.2): one Producer per compression codec, each sending
compressible messages to its own partition-0 topic (auto-created) and flushing.

Reads {"bootstrap": "host:port", "topics": {codec: topic}, "messages": [[key, value], ...]}
as JSON on stdin and prints one JSON line: each codec's delivery errors and undelivered count,
and librdkafka's debug lines about compression (the broker's codec support shows there).
Every wait is bounded. Run with /usr/bin/python3 (Debian's python3-confluent-kafka).
"""
import json
import logging
import sys

from confluent_kafka import Producer

args = json.load(sys.stdin)


class Collect(logging.Handler):
    """Keeps librdkafka's log lines that mention compression."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        message = record.getMessage()
        if "compress" in message.lower():
            self.lines.append(message)


logs = Collect()
logger = logging.getLogger("rdkafka")
logger.setLevel(logging.DEBUG)
logger.addHandler(logs)
logger.propagate = False

out = {"codecs": {}, "logs": logs.lines}
for codec, topic in args["topics"].items():
    errors = []
    producer = Producer({"bootstrap.servers": args["bootstrap"], "compression.codec": codec, "linger.ms": 50, "acks": "all",
                         "debug": "msg", "logger": logger})

    def on_delivery(err, msg, errors=errors):
        if err is not None:
            errors.append(str(err))

    for key, value in args["messages"]:
        producer.produce(topic, key=key.encode(), value=value.encode(), partition=0, on_delivery=on_delivery)
    unflushed = producer.flush(20)
    out["codecs"][codec] = {"errors": errors, "unflushed": unflushed}

print(json.dumps(out))
