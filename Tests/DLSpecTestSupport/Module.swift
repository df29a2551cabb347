// Module DLSpecTestSupport: see README.md beside this file.
