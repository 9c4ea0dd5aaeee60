"""Getting kiosk records to central and knowing they arrived.

topics/messages: the MQTT contract; outbox: the durable store (SQLite); mqtt_link: the paho
connection; pump: outbox <-> link on the kiosk's asyncio loop; central: the reference central
service; broker: a local mosquitto for the demo and the tests. Never imports `kiosk`.
"""
