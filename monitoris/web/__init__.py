"""Server-rendered pages.  Each module is one area's blueprint; views stay thin."""

from monitoris.web import acts, admin, assignments, auth, dashboard, helpers, tasks


def register(app):
    helpers.register(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(acts.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(assignments.bp)
    app.register_blueprint(admin.bp)
