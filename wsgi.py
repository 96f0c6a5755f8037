from warehouse import create_app

app = create_app()
