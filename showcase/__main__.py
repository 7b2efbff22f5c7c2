from showcase.cli import main

if __name__ == "__main__":  # guarded: a spawned import worker imports this module again
    main()
