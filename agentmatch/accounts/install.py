"""Which phone the agent is on, to show that phone's steps for installing the web app.

Only a hint for the page (the steps for every phone stay one tap away): the User-Agent
header is whatever the browser says, and iPads that ask for desktop sites claim to be Macs.
"""

from typing import Literal

Platform = Literal["ios", "android", "other"]


def phone_platform(user_agent: str) -> Platform:
    ua = user_agent.lower()
    if "iphone" in ua or "ipad" in ua or "ipod" in ua:
        return "ios"
    if "android" in ua:
        return "android"
    return "other"
