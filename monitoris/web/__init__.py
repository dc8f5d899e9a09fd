"""Server-rendered pages.  Each module is one area's blueprint; views stay thin."""

from monitoris.web import auth, dashboard


def register(app):
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
