from cfit.cli import main

main()
