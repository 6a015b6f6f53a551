// Is an ontology in the OWL 2 DL profile? Asks the OWL API's own profile checker (the OWL API that
// ships inside owlready2's HermiT.jar), so the answer comes from the reference implementation.
// Run as a single-file program: java -cp HermiT.jar ProfileCheck.java FILE
// Prints each violation and exits 1 if there is one, 0 if the ontology is OWL 2 DL.
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        OWLOntology ontology = OWLManager.createOWLOntologyManager()
                .loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            System.out.println("violation: " + violation);
        }
        System.out.println("axioms: " + ontology.getAxiomCount());
        System.exit(report.isInProfile() ? 0 : 1);
    }
}
