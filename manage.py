#!/usr/bin/env python
from ansinh.cli import main

if __name__ == "__main__":
    main()
