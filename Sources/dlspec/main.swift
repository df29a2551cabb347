print("dlspec")
