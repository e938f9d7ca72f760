"""The use cases of a referral's life, one function per thing a person or a job does.

Each action opens its own transaction (`transaction.atomic(durable=True)`), checks every
rule, writes its audit rows and queues its follow-ups. Doors (web views, API operations,
one-tap links, text replies, commands, worker jobs) parse their input, call one action and
render its answer. Import the action from its module: `requests` (a consumer's request:
submit, cancel) and `offers` (an agent's answer and the offer clock).
"""
