from sqlalchemy import text

from storage.engine import make_engine


def test_the_suite_starts_its_own_postgresql_server(postgres_url):
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    assert version.split(".")[0].isdigit()
