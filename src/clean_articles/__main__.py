"""`python -m clean_articles` runs the command-line tool."""

from clean_articles.cli import main

main()
