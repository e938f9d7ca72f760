#!/usr/bin/env python
from agentmatch.__main__ import main

if __name__ == "__main__":
    main()
